-- The documents table DocumentSearch.indexDocument writes (guide L4340-4351).
CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  metadata TEXT,
  indexed_at TEXT NOT NULL
);
