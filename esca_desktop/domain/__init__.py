"""Frozen value types shared by every layer: assessments, organisations, evidence, audit entries."""
