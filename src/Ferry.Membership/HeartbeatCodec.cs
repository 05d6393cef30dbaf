using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ferry.Membership;

/// <summary>
/// The wire format of a heartbeat (docs/design/0004-membership.md, "Datagram"), big-endian:
/// magic "FRYM", version, flags, incarnation (8), sequence (8), name length (1) + UTF-8 name,
/// digest length (1) + UTF-8 digest, then with a shared key an HMAC-SHA256 (32) over all before it.
/// </summary>
internal static class HeartbeatCodec
{
    public const byte Version = 1;
    public const int MacSize = 32;
    public const int HeaderSize = 4 + 1 + 1 + 8 + 8;
    public const int MaxSize = HeaderSize + 1 + MembershipOptions.MaxNameBytes + 1 + MembershipOptions.MaxDigestBytes + MacSize;

    private const byte LeavingFlag = 0x01;
    private const byte AuthenticatedFlag = 0x02;

    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "FRYM"u8;

    /// <summary>Writes <paramref name="heartbeat"/> (signed when <paramref name="key"/> is set) and returns its length.</summary>
    public static int Encode(HeartbeatDatagram heartbeat, byte[]? key, Span<byte> destination)
    {
        var nameLength = Encoding.UTF8.GetByteCount(heartbeat.Name);
        var digestLength = Encoding.UTF8.GetByteCount(heartbeat.ConfigDigest);
        if (nameLength is 0 or > MembershipOptions.MaxNameBytes || digestLength > MembershipOptions.MaxDigestBytes)
        {
            throw new ArgumentException("The name must have 1 to 253 bytes and the digest at most 255.", nameof(heartbeat));
        }

        Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5] = (byte)((heartbeat.Leaving ? LeavingFlag : 0) | (key is null ? 0 : AuthenticatedFlag));
        BinaryPrimitives.WriteUInt64BigEndian(destination[6..], heartbeat.Incarnation);
        BinaryPrimitives.WriteUInt64BigEndian(destination[14..], heartbeat.Sequence);
        var position = HeaderSize;
        destination[position++] = (byte)nameLength;
        position += Encoding.UTF8.GetBytes(heartbeat.Name, destination[position..]);
        destination[position++] = (byte)digestLength;
        position += Encoding.UTF8.GetBytes(heartbeat.ConfigDigest, destination[position..]);
        if (key is not null)
        {
            position += HMACSHA256.HashData(key, destination[..position], destination[position..]);
        }

        return position;
    }

    /// <summary>Reads a datagram; null with the heartbeat when it is one, else why it is not.</summary>
    public static DropReason? TryDecode(ReadOnlySpan<byte> datagram, byte[]? key, out HeartbeatDatagram? heartbeat)
    {
        heartbeat = null;
        if (datagram.Length < HeaderSize + 2 || !datagram[..4].SequenceEqual(Magic))
        {
            return DropReason.Malformed;
        }

        if (datagram[4] != Version)
        {
            return DropReason.UnsupportedVersion;
        }

        var flags = datagram[5];
        var body = datagram;
        if ((flags & AuthenticatedFlag) != 0 || key is not null)
        {
            // Both sides must agree on having a key: a mismatch is reported, never half accepted.
            if (key is null || (flags & AuthenticatedFlag) == 0 || datagram.Length < HeaderSize + 2 + MacSize)
            {
                return DropReason.BadKey;
            }

            body = datagram[..^MacSize];
            Span<byte> expected = stackalloc byte[MacSize];
            HMACSHA256.HashData(key, body, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, datagram[^MacSize..]))
            {
                return DropReason.BadKey;
            }
        }

        var position = HeaderSize;
        if (!TryReadString(body, ref position, out var name) || name.Length == 0
            || !TryReadString(body, ref position, out var digest) || position != body.Length)
        {
            return DropReason.Malformed;
        }

        heartbeat = new HeartbeatDatagram(
            name,
            BinaryPrimitives.ReadUInt64BigEndian(body[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(body[14..]),
            digest,
            (flags & LeavingFlag) != 0);
        return null;
    }

    private static bool TryReadString(ReadOnlySpan<byte> body, ref int position, out string value)
    {
        value = "";
        if (position >= body.Length)
        {
            return false;
        }

        var length = body[position++];
        if (position + length > body.Length)
        {
            return false;
        }

        try
        {
            value = _strictUtf8.GetString(body.Slice(position, length));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        position += length;
        return true;
    }
}
