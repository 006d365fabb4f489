#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

namespace crisisline::http::detail {

// A Beast body (the Body concept, for responses only) that is either a string of its own or a string shared
// with other responses (Response::shared_body). A shared string is written straight from where it is: an answer
// rendered once and sent to many clients is never copied into each response.
struct ResponseBody {
    struct value_type {
        std::string owned;
        std::shared_ptr<const std::string> shared;  // when set, sent instead of `owned`

        std::string_view View() const { return shared ? std::string_view(*shared) : std::string_view(owned); }
        void Clear() {
            owned.clear();
            shared.reset();
        }
    };

    static std::uint64_t size(const value_type& body) { return body.View().size(); }

    class writer {
    public:
        using const_buffers_type = boost::asio::const_buffer;

        template <bool isRequest, class Fields>
        writer(const boost::beast::http::header<isRequest, Fields>& /*header*/, const value_type& body)
            : body_(body.View()) {}

        void init(boost::beast::error_code& ec) { ec = {}; }

        // The whole body in one buffer, then nothing more.
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
            ec = {};
            if (done_ || body_.empty()) {
                return boost::none;
            }
            done_ = true;
            return std::make_pair(const_buffers_type(body_.data(), body_.size()), false);
        }

    private:
        std::string_view body_;
        bool done_ = false;
    };
};

}  // namespace crisisline::http::detail
