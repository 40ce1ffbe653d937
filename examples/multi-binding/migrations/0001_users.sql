-- Migration number: 0001 	 users with the active flag the handler filters on
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE
);
