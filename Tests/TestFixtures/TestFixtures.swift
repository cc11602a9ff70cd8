// Fixtures for the real servers the tests need.
