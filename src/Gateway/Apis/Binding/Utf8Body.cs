using System.Text;
using System.Text.Json;

namespace BookMyShow.Gateway.Apis.Binding;

/// <summary>
/// JSON is UTF-8 (RFC 8259 §8.1), but System.Text.Json checks the encoding only of the strings it decodes: bytes that
/// are not UTF-8 in a property the body type ignores would pass. For endpoints with a bound JSON body
/// (<see cref="JsonBodyErrors"/>), the body is read through a check of every byte; the first invalid sequence fails
/// the bind like any other JSON error, with a 400 that says so.
/// </summary>
public static class Utf8Body
{
    public static IApplicationBuilder UseUtf8JsonBodies(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<JsonBodyErrors>() is not null)
        {
            http.Request.Body = new CheckingStream(http.Request.Body);
        }
        return next(http);
    });

    /// <summary>A body that is not UTF-8; a <see cref="JsonException"/> so the framework's bind reports it as a bad body.</summary>
    public sealed class InvalidUtf8Exception(long offset, Exception inner)
        : JsonException($"it is not UTF-8 (invalid bytes at offset {offset}).", inner);

    sealed class CheckingStream(Stream inner) : Stream
    {
        readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        long _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _offset; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Check(buffer.Span[..read], final: read == 0);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Check(buffer.AsSpan(offset, read), final: read == 0);
            return read;
        }

        void Check(ReadOnlySpan<byte> bytes, bool final)
        {
            try
            {
                // Counting decodes without keeping anything; a sequence split across two reads is carried over.
                _decoder.GetCharCount(bytes, flush: final);
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidUtf8Exception(_offset + Math.Max(0, e.Index), e);
            }
            _offset += bytes.Length;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
