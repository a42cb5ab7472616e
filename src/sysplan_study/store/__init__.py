"""The user's history in SQLite: connection, migrations, answers, undo, progress files. The only SQL on it."""
