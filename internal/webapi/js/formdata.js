// formdata.js: placeholder, filled in by its area.
