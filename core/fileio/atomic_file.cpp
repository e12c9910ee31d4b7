#include "core/fileio/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hpf {
namespace {

std::string system_error(const std::string& path, const std::string& what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

// Plain POSIX on purpose: Qt 6.4's QSaveFile reports success after a short write (a full disk, a file-size
// limit), committing a truncated file. Every write(), fsync() and close() result is checked here.
void write_file_atomically(const std::string& path, const std::string& content) {
  std::vector<char> temp(path.begin(), path.end());
  const std::string suffix = ".tmp-XXXXXX";
  temp.insert(temp.end(), suffix.begin(), suffix.end());
  temp.push_back('\0');
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw std::runtime_error(system_error(path, "cannot write"));
  const std::string temp_path(temp.data());
  const auto fail = [&](const std::string& what) {
    const std::string message = system_error(path, what);
    ::close(fd);
    ::unlink(temp_path.c_str());
    throw std::runtime_error(message);
  };
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      fail("write failed (disk full?)");
    }
    written += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) fail("could not be saved");
  if (::close(fd) != 0) {
    const std::string message = system_error(path, "could not be saved");
    ::unlink(temp_path.c_str());
    throw std::runtime_error(message);
  }
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    const std::string message = system_error(path, "could not replace the file");
    ::unlink(temp_path.c_str());
    throw std::runtime_error(message);
  }
}

void ensure_directory(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir)) {
    throw std::runtime_error(dir + ": cannot create directory" +
                             (error ? ": " + error.message() : std::string()));
  }
}

}  // namespace hpf
