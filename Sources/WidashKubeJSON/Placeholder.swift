// Selective decoder for Kubernetes list pages
