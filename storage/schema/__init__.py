"""The database schema: numbered migrations (`migrations`) and the DDL they apply."""
