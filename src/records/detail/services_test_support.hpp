#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "records/services.hpp"

// Shared by the records' unit tests only.
namespace crisisline::records::testing {

// Real storage for a records test: a SQLite database, its storage writer and a
// freshly generated service key in a scratch directory under /tmp (removed
// afterwards), and a fake clock. A subclass's SetUp calls this one first.
class ServicesTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialise());
        char pattern[] = "/tmp/crisisline-records-XXXXXX";
        const char* made = mkdtemp(pattern);
        ASSERT_NE(made, nullptr);
        dir_ = made;
        auto opened = store::OpenSqlite({dir_ + "/test.db"});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        keys_ = std::make_unique<crypto::Keyring>(dir_);
        ASSERT_TRUE(keys_->LoadService(true));
        ASSERT_TRUE(keys_->LoadAudit(true));
        writer_ = std::make_unique<writer::StorageWriter>(*store_, audit::ChainKey{&keys_->Audit(), 0});
    }
    void TearDown() override {
        writer_.reset();
        store_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    records::Services Services() { return {*store_, *writer_, *keys_, clock_}; }

    FakeClock clock_{1795806254000};
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<writer::StorageWriter> writer_;
    std::unique_ptr<crypto::Keyring> keys_;
};

}  // namespace crisisline::records::testing
