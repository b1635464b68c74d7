/* probe.c: being written. */
