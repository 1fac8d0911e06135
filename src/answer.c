/* answer.c: placeholder, being written. */
