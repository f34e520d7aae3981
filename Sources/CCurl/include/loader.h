// libcurl is loaded on first use (loader.c): Kallad does not link it.
#ifndef KALLAD_CCURL_LOADER_H
#define KALLAD_CCURL_LOADER_H

/// Why libcurl could not be loaded (dlopen's or dlsym's message), or NULL once it is loaded. Loads it if no call
/// has yet.
const char *kallad_curl_load_error(void);

#endif
