/* cmd_queue.c: being written. */
