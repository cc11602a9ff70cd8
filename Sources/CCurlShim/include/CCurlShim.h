#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
#include <curl/curl.h>

/// curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt are variadic; one typed entry each.
CURLcode mimamori_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode mimamori_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode mimamori_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode mimamori_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode mimamori_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode mimamori_curl_easy_setopt_mime(CURL *handle, CURLoption option, curl_mime *value);
CURLcode mimamori_curl_easy_setopt_read_function(CURL *handle,
    size_t (*fn)(char *buffer, size_t size, size_t nitems, void *userdata));
CURLcode mimamori_curl_easy_setopt_write_function(CURL *handle,
    size_t (*fn)(char *ptr, size_t size, size_t nmemb, void *userdata));
CURLcode mimamori_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode mimamori_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode mimamori_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLMcode mimamori_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);
#endif
