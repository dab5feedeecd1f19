"""PDF documents: interview protocols, assessment reports, charts, fonts, signing and verification."""
