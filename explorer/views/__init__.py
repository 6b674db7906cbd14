"""The tabs' work, as plain functions without gradio: each takes the zoo's models and the student's
settings (checking them, with a message that says what is allowed) and returns tensors, numbers,
text and figures for explorer/ui/ to show. One module per tab family."""
