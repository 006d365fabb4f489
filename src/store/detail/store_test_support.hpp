#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.hpp"

// Shared by the store's unit tests only.
namespace crisisline::store::testing {

// A fresh directory under /tmp per test, removed with everything in it.
class ScratchDir {
public:
    ScratchDir() {
        char pattern[] = "/tmp/crisisline-store-XXXXXX";
        const char* made = mkdtemp(pattern);
        path_ = made != nullptr ? made : "";
    }
    ~ScratchDir() {
        std::error_code ignored;
        if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::string& Path() const { return path_; }
    std::string File(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// A store opened on a scratch database.
class StoreFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(dir_.Path().empty()) << "mkdtemp failed";
        auto opened = OpenSqlite({DatabasePath()});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
    }
    void TearDown() override { store_.reset(); }  // closed before the directory goes

    std::string DatabasePath() const { return dir_.File("crisisline.db"); }

    ScratchDir dir_;
    std::unique_ptr<Store> store_;
};

}  // namespace crisisline::store::testing
