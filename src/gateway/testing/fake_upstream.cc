#include "gateway/testing/fake_upstream.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "gateway/proxy/chat_request.h"
#include "io/json_writer.h"

namespace wildchat {

struct FakeUpstream::Impl {
  httplib::Server server;
  std::thread thread;
  mutable std::mutex mu;
  std::vector<std::string> bodies, auths;
};

namespace {

std::string Chunk(std::string_view content) {
  std::string out = "data: ";
  JsonWriter w(&out);
  w.BeginObject().Key("object").String("chat.completion.chunk").Key("choices").BeginArray();
  w.BeginObject().Key("index").Int(0).Key("delta").BeginObject().Key("content").String(content);
  w.EndObject().EndObject().EndArray().EndObject();
  out += "\n\n";
  return out;
}

}  // namespace

FakeUpstream::FakeUpstream() : impl_(std::make_unique<Impl>()) {
  Impl* s = impl_.get();
  s->server.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"object":"list","data":[]})", "application/json");
  });
  s->server.Post("/v1/chat/completions", [s](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> l(s->mu);
      s->bodies.push_back(req.body);
      s->auths.push_back(req.get_header_value("Authorization"));
    }
    ChatRequest chat;
    if (!ParseChatRequest(req.body, &chat).ok()) {
      res.status = 400;
      res.set_content(R"({"error":{"message":"bad request"}})", "application/json");
      return;
    }
    const std::string last = chat.messages.back().content;
    if (last == "!error") {
      res.status = 500;
      res.set_content(R"({"error":{"message":"the model is overloaded","type":"server_error"}})",
                      "application/json");
      return;
    }
    if (last == "!slow") std::this_thread::sleep_for(std::chrono::seconds(6));
    const std::string reply = "echo: " + last;
    if (!chat.stream) {
      std::string out;
      JsonWriter w(&out);
      w.BeginObject().Key("id").String("chatcmpl-1").Key("object").String("chat.completion");
      w.Key("model").String(chat.model).Key("choices").BeginArray().BeginObject();
      w.Key("index").Int(0).Key("message").BeginObject().Key("role").String("assistant");
      w.Key("content").String(reply).EndObject().Key("finish_reason").String("stop");
      w.EndObject().EndArray().Key("usage").BeginObject().Key("prompt_tokens").Int(10);
      w.Key("completion_tokens").Int(5).Key("total_tokens").Int(15).EndObject().EndObject();
      res.set_content(out, "application/json");
      return;
    }
    const bool cut = last == "!cut";
    res.set_chunked_content_provider(
        "text/event-stream", [reply, cut](size_t, httplib::DataSink& sink) {
          std::string first = Chunk("");
          sink.write(first.data(), first.size());
          for (size_t i = 0; i < reply.size(); i += 3) {
            std::string e = Chunk(reply.substr(i, 3));
            if (!sink.write(e.data(), e.size())) return false;
            if (cut && i >= 3) return false;  // drop the connection mid-stream
          }
          std::string tail =
              "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
              "\"total_tokens\":15}}\n\ndata: [DONE]\n\n";
          sink.write(tail.data(), tail.size());
          sink.done();
          return true;
        });
  });
  port_ = s->server.bind_to_any_port("127.0.0.1");
  s->thread = std::thread([s] { s->server.listen_after_bind(); });
}

FakeUpstream::~FakeUpstream() {
  impl_->server.stop();
  impl_->thread.join();
}

std::string FakeUpstream::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

std::vector<std::string> FakeUpstream::bodies() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->bodies;
}
std::vector<std::string> FakeUpstream::authorizations() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->auths;
}

}  // namespace wildchat
