"""Training apart from the app: the shipped models' recipes (catalogue), their training (train),
evaluation into checkpoints/manifest.json (evaluate), the whole rebuild (build), and the beta tab's
live trainer (live), its cap (pool) and its digits (live_digits). Nothing here imports gradio."""
