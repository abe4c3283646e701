"""One thin Streamlit script per dashboard page (run through app.py's navigation only)."""
