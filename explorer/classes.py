"""The image data sets and their class names, importable without torch: the app builds its page
(class choices, labels) before torch is imported (cold start). explorer/data.py loads the data itself."""
from __future__ import annotations

IMAGE_DATASETS = {"mnist": "MNIST", "fashion": "FashionMNIST"}
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot"],
}
