"""ESCA Assessor: offline assessments for the European Cluster Management Excellence labels."""

__version__ = "0.1.0"
