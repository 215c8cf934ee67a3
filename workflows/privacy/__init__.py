"""Personal data leaves when its purpose ends: closed cases anonymised after retention."""
