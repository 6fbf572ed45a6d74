#ifndef ZMESH_CCURL_SHIM_H
#define ZMESH_CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions, and libcurl's setopt/getinfo are variadic: one typed,
// non-variadic wrapper per argument type the client passes. Each returns libcurl's own code.

/// curl_easy_setopt with a `long` argument (flags, timeouts in milliseconds, sizes).
static inline CURLcode zmesh_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt with a `curl_off_t` argument (CURLOPT_*_LARGE).
static inline CURLcode zmesh_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt with a string (libcurl copies it, except for CURLOPT_POSTFIELDS, which the client
/// does not use: it passes the body with CURLOPT_COPYPOSTFIELDS).
static inline CURLcode zmesh_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt with an object pointer (CURLOPT_PRIVATE, CURLOPT_WRITEDATA, CURLOPT_HTTPHEADER, ...).
static inline CURLcode zmesh_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt with a write or header callback (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION).
static inline CURLcode zmesh_curl_easy_setopt_write_callback(CURL *handle, CURLoption option,
                                                            curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

/// curl_easy_getinfo for a `long` result (CURLINFO_RESPONSE_CODE, ...).
static inline CURLcode zmesh_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// curl_multi_setopt with a `long` argument.
static inline CURLMcode zmesh_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The result code of a finished transfer (CURLMsg.data is a union Swift reads awkwardly).
static inline CURLcode zmesh_curl_message_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
