"""K-means segmentation: features transform, search, fit, the model object, naming, comparison."""
