/* nametree.c: placeholder, being written. */
