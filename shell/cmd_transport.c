/* cmd_transport.c: being written. */
