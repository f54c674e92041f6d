"""Static images of Plotly figures: drawn by Plotly itself, once, and kept on disk."""
