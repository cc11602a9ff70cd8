#ifndef MIMAMORI_C_HEAP_H
#define MIMAMORI_C_HEAP_H

/// Gives the allocator's free pages back to the system (glibc's malloc_trim(0): the top of each
/// arena and, within them, every whole free page). 1 if memory was returned, else 0.
int mimamori_trim_heap(void);

#endif
