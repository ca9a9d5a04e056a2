"""Login through external identity providers (national e-ID VNeID and others); see base.py."""
