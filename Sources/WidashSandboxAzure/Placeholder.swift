// Azure emulation (Entra, Graph, ARM, resources)
