// The only node-addon-api file: argument checks, type conversion, calls into
// the C core (hbcore.h), and errno -> JS Error mapping. No protocol logic here.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>

extern "C" {
#include "hbcore.h"
}

namespace {

// A JS Error whose `code` is the errno name and whose message says what failed.
Napi::Error ErrnoError(Napi::Env env, int err, const std::string &op) {
  if (err < 0) err = -err;
  const char *name = strerrorname_np(err);
  Napi::Error e = Napi::Error::New(env, op + ": " + std::strerror(err));
  e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("op", Napi::String::New(env, op));
  return e;
}

std::string StringArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsString())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

int32_t IntArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

Napi::Value SyslogOpen(const Napi::CallbackInfo &info) {
  std::string ident = StringArg(info, 0, "ident");
  std::string facility = StringArg(info, 1, "facility");
  int rc = hb_syslog_open(ident.c_str(), facility.c_str());
  if (rc < 0) throw ErrnoError(info.Env(), rc, "opening syslog with facility " + facility);
  return info.Env().Undefined();
}

Napi::Value SyslogWrite(const Napi::CallbackInfo &info) {
  int32_t priority = IntArg(info, 0, "priority");
  std::string message = StringArg(info, 1, "message");
  hb_syslog_write(priority, message.c_str());
  return info.Env().Undefined();
}

// @@SECTION:ENGINE@@ (heartbeat engine glue)

// @@SECTION:IPVS@@ (IPVS glue)

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("coreVersion", Napi::String::New(env, hb_core_version()));
  exports.Set("syslogOpen", Napi::Function::New(env, SyslogOpen, "syslogOpen"));
  exports.Set("syslogWrite", Napi::Function::New(env, SyslogWrite, "syslogWrite"));
  // @@INIT:ENGINE@@
  // @@INIT:IPVS@@
  return exports;
}

}  // namespace

NODE_API_MODULE(hbd_native, Init)
