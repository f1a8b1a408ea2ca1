#include "server/work_gate.h"

namespace wildchat {

WorkGate::WorkGate(int slots) {
  const int n = slots < 1 ? 1 : slots;
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Serve(); });
}

WorkGate::~WorkGate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkGate::Run(const std::function<void()>& work) {
  Task task;
  task.work = &work;
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&task);
  ready_.notify_one();
  task.cv.wait(lock, [&] { return task.done; });
  if (task.error) std::rethrow_exception(task.error);
}

void WorkGate::Serve() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    Task* task = queue_.front();
    queue_.pop_front();
    lock.unlock();
    std::exception_ptr error;
    try {
      (*task->work)();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    task->error = error;
    task->done = true;
    task->cv.notify_one();
  }
}

}  // namespace wildchat
