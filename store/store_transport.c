/* store_transport.c: being written. */
