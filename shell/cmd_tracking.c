/* cmd_tracking.c: being written. */
