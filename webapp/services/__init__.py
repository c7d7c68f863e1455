"""Domain logic: no Flask imports here, so that commands, views and tests share it."""
