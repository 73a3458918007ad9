"""wgm: audit exported WeChat / WeCom work-group chats against the group regulation."""

__version__ = "0.1.0"
