def register(router):
    """No API endpoints yet."""
