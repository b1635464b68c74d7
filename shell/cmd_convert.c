/* cmd_convert.c: being written. */
