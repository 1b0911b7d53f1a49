"""The transactional outbox: notifications stored with the change that causes them, sent later."""
