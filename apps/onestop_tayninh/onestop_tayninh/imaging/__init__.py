"""Photos a citizen sends instead of scans (issue #20): checked, made into one A4 PDF, and the CCCD
card read from its QR code (or, as a suggestion only, from its front side by OCR).

No models and no views: the Zalo conversation (and later the portal) calls `photos` and `idcard`.
"""
