#include "http/detail/static_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace crisisline::http::detail {
namespace {
namespace fs = std::filesystem;

void Write(const fs::path& file, const std::string& content) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
}

class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/crisisline-static-XXXXXX";
        base_ = mkdtemp(tmpl);
        root_ = base_ / "web";
        Write(root_ / "index.html", "<html>");
        Write(root_ / "assets" / "app.js", "js");
        Write(root_ / "docs" / "index.html", "docs");
        Write(root_ / ".env", "hidden");
        Write(base_ / "secret.txt", "secret");
        fs::create_symlink(base_ / "secret.txt", root_ / "link.txt");
    }
    void TearDown() override { fs::remove_all(base_); }

    std::string Resolve(std::string_view path) {
        auto file = ResolveStaticFile(root_, path);
        if (!file) {
            return std::string(ErrorCodeName(file.error().code));
        }
        return fs::relative(*file, fs::canonical(root_)).string();
    }

    fs::path base_;
    fs::path root_;
};

TEST_F(StaticFilesTest, Resolves) {
    const std::pair<const char*, const char*> cases[] = {
        {"/", "index.html"},
        {"/assets/app.js", "assets/app.js"},
        {"/docs/", "docs/index.html"},
        {"/docs", "docs/index.html"},
        {"/lines/42/contacts", "index.html"},  // an app route: the single-page app's shell
        {"/missing.png", "not_found"},
        {"/assets/missing.js", "not_found"},
        {"/.env", "not_found"},
        {"/link.txt", "not_found"},  // a symlink out of the root
        {"/../secret.txt", "invalid"},
        {"/assets/../../secret.txt", "invalid"},
        {"/./index.html", "invalid"},
    };
    for (const auto& [path, expected] : cases) {
        EXPECT_EQ(Resolve(path), expected) << path;
    }
}

TEST(MimeTypeTest, KnownAndUnknown) {
    EXPECT_EQ(MimeTypeFor("a/index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(MimeTypeFor("app.JS"), "text/javascript; charset=utf-8");
    EXPECT_EQ(MimeTypeFor("s.css"), "text/css; charset=utf-8");
    EXPECT_EQ(MimeTypeFor("i.svg"), "image/svg+xml");
    EXPECT_EQ(MimeTypeFor("f.woff2"), "font/woff2");
    EXPECT_EQ(MimeTypeFor("blob"), "application/octet-stream");
}

}  // namespace
}  // namespace crisisline::http::detail
