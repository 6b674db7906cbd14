"""Plotly figures and image helpers, one module per subject. Functions take arrays, return figures."""
