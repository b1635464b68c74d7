/* ctl.c: being written. */
