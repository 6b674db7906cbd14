"""VAE & Autoregressive Explorer: trained generative models, made visible."""
