"""The test suite: the sandbox, the tap and the target, over real sockets."""
