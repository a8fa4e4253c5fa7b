"""The WAN benchmark (``tools/bench-wan``): sites behind shaped links."""
