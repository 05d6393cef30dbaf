using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ferry.Membership;

/// <summary>
/// The wire format of a heartbeat (docs/design/0004-membership.md, "Datagram"), big-endian:
/// magic "FRYM", version, flags, incarnation (8), sequence (8), name length (1) + UTF-8 name,
/// digest length (1) + UTF-8 digest (flags: 0x01 leaving, 0x02 authenticated, 0x04 ready), then (version 2) sections of type (1), length (2) and value, then with
/// a shared key an HMAC-SHA256 (32) over all before it. Section 1 holds vouches (peer-name hash 8, then 2:
/// the top bit ready, 15 bits of age in ms), section 2 withdrawn-key hashes (8 each); a section of an unknown type is skipped, so a later
/// release can add one. Version 1 (no sections) is still read.
/// </summary>
internal static class HeartbeatCodec
{
    public const byte Version = 2;
    public const int MacSize = 32;
    public const int HeaderSize = 4 + 1 + 1 + 8 + 8;

    /// <summary>The most vouches one heartbeat carries; with more peers, each heartbeat carries the next ones in turn.</summary>
    public const int MaxVouches = 64;

    /// <summary>The most withdrawn keys one heartbeat carries.</summary>
    public const int MaxWithdrawn = 128;

    public const int VouchSize = 8 + 2;
    public const int SectionHeaderSize = 1 + 2;
    public const int MaxSize = HeaderSize + 1 + MembershipOptions.MaxNameBytes + 1 + MembershipOptions.MaxDigestBytes
        + SectionHeaderSize + (MaxVouches * VouchSize) + SectionHeaderSize + (MaxWithdrawn * 8) + MacSize;

    private const byte VouchSection = 1;
    private const byte WithdrawnSection = 2;

    private const byte LeavingFlag = 0x01;
    private const byte ReadyFlag = 0x04;
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

        if (heartbeat.Vouches.Count > MaxVouches || heartbeat.Withdrawn.Count > MaxWithdrawn)
        {
            throw new ArgumentException($"A heartbeat carries at most {MaxVouches} vouches and {MaxWithdrawn} withdrawn keys.", nameof(heartbeat));
        }

        Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5] = (byte)((heartbeat.Leaving ? LeavingFlag : 0) | (key is null ? 0 : AuthenticatedFlag) | (heartbeat.Ready ? ReadyFlag : 0));
        BinaryPrimitives.WriteUInt64BigEndian(destination[6..], heartbeat.Incarnation);
        BinaryPrimitives.WriteUInt64BigEndian(destination[14..], heartbeat.Sequence);
        var position = HeaderSize;
        destination[position++] = (byte)nameLength;
        position += Encoding.UTF8.GetBytes(heartbeat.Name, destination[position..]);
        destination[position++] = (byte)digestLength;
        position += Encoding.UTF8.GetBytes(heartbeat.ConfigDigest, destination[position..]);
        if (heartbeat.Vouches.Count > 0)
        {
            position = WriteSectionHeader(destination, position, VouchSection, heartbeat.Vouches.Count * VouchSize);
            foreach (var vouch in heartbeat.Vouches)
            {
                BinaryPrimitives.WriteUInt64BigEndian(destination[position..], vouch.PeerHash);
                var age = Math.Min(vouch.AgeMilliseconds, (ushort)Vouch.MaxAgeMilliseconds);
                BinaryPrimitives.WriteUInt16BigEndian(destination[(position + 8)..], (ushort)(age | (vouch.Ready ? 0x8000 : 0)));
                position += VouchSize;
            }
        }

        if (heartbeat.Withdrawn.Count > 0)
        {
            position = WriteSectionHeader(destination, position, WithdrawnSection, heartbeat.Withdrawn.Count * 8);
            foreach (var hash in heartbeat.Withdrawn)
            {
                BinaryPrimitives.WriteUInt64BigEndian(destination[position..], hash);
                position += 8;
            }
        }

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

        if (datagram[4] is not (1 or Version))
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
            || !TryReadString(body, ref position, out var digest))
        {
            return DropReason.Malformed;
        }

        List<Vouch>? vouches = null;
        List<ulong>? withdrawn = null;
        while (position < body.Length)
        {
            if (datagram[4] == 1 || position + SectionHeaderSize > body.Length)
            {
                return DropReason.Malformed;
            }

            var type = body[position];
            var length = BinaryPrimitives.ReadUInt16BigEndian(body[(position + 1)..]);
            position += SectionHeaderSize;
            if (position + length > body.Length)
            {
                return DropReason.Malformed;
            }

            var value = body.Slice(position, length);
            position += length;
            switch (type)
            {
                case VouchSection when vouches is null && length % VouchSize == 0 && length / VouchSize <= MaxVouches:
                    vouches = new List<Vouch>(length / VouchSize);
                    for (var i = 0; i < length; i += VouchSize)
                    {
                        var ageAndReady = BinaryPrimitives.ReadUInt16BigEndian(value[(i + 8)..]);
                        vouches.Add(new Vouch(BinaryPrimitives.ReadUInt64BigEndian(value[i..]), (ushort)(ageAndReady & 0x7FFF), (ageAndReady & 0x8000) != 0));
                    }

                    break;
                case WithdrawnSection when withdrawn is null && length % 8 == 0 && length / 8 <= MaxWithdrawn:
                    withdrawn = new List<ulong>(length / 8);
                    for (var i = 0; i < length; i += 8)
                    {
                        withdrawn.Add(BinaryPrimitives.ReadUInt64BigEndian(value[i..]));
                    }

                    break;
                case VouchSection or WithdrawnSection:
                    return DropReason.Malformed; // repeated, ragged or oversized
                default:
                    break; // a later release's section
            }
        }

        heartbeat = new HeartbeatDatagram(
            name,
            BinaryPrimitives.ReadUInt64BigEndian(body[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(body[14..]),
            digest,
            (flags & LeavingFlag) != 0)
        {
            Ready = (flags & ReadyFlag) != 0,
            Vouches = vouches ?? [],
            Withdrawn = withdrawn ?? [],
        };
        return null;
    }

    private static int WriteSectionHeader(Span<byte> destination, int position, byte type, int length)
    {
        destination[position] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[(position + 1)..], (ushort)length);
        return position + SectionHeaderSize;
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
