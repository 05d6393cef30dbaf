using System.Text;

namespace Ferry.Membership.Tests;

public class HeartbeatCodecTests
{
    private static readonly byte[] _key = Encoding.UTF8.GetBytes("a shared key of enough bytes");
    private static readonly HeartbeatDatagram _heartbeat = new("node-ä", 0x0102030405060708, 42, "sha256:abc", Leaving: false);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void RoundTrips(bool leaving, bool keyed)
    {
        var key = keyed ? _key : null;
        var heartbeat = _heartbeat with { Leaving = leaving };

        var decoded = Decode(Encode(heartbeat, key), key, out var reason);

        Assert.Null(reason);
        Assert.Equal(heartbeat, decoded);
    }

    [Fact]
    public void Layout_StartsWithMagicAndVersion_AndIsBigEndian()
    {
        var bytes = Encode(_heartbeat, null);

        Assert.Equal("FRYM"u8.ToArray(), bytes[..4]);
        Assert.Equal(HeartbeatCodec.Version, bytes[4]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, bytes[6..14]);
        Assert.Equal(HeartbeatCodec.HeaderSize + 1 + Encoding.UTF8.GetByteCount("node-ä") + 1 + "sha256:abc".Length, bytes.Length);
        Assert.Equal(bytes.Length + HeartbeatCodec.MacSize, Encode(_heartbeat, _key).Length);
    }

    [Fact]
    public void LongestNameDigestAndSections_FitMaxSize()
    {
        var heartbeat = new HeartbeatDatagram(new string('n', MembershipOptions.MaxNameBytes), 1, 1, new string('d', MembershipOptions.MaxDigestBytes), false)
        {
            Vouches = [.. Enumerable.Range(0, HeartbeatCodec.MaxVouches).Select(i => new Vouch((ulong)i, (ushort)i))],
            Withdrawn = [.. Enumerable.Range(0, HeartbeatCodec.MaxWithdrawn).Select(i => (ulong)i)],
        };
        Assert.Equal(HeartbeatCodec.MaxSize, Encode(heartbeat, _key).Length);
        Assert.Throws<ArgumentException>(() => Encode(heartbeat with { Withdrawn = [.. heartbeat.Withdrawn, 999] }, null));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sections_RoundTrip(bool keyed)
    {
        var key = keyed ? _key : null;
        var heartbeat = _heartbeat with
        {
            Vouches = [new Vouch(0xAABBCCDDEEFF0011, 7, Ready: false), new Vouch(MembershipKeys.Hash("node-b"), Vouch.MaxAgeMilliseconds)],
            Withdrawn = [MembershipKeys.Hash("default/web"), 1],
            Ready = true,
        };

        Assert.Equal(heartbeat, Decode(Encode(heartbeat, key), key, out var reason));
        Assert.Null(reason);
    }

    [Fact]
    public void ReadyFlag_AndTheVouchReadyBit_AreWhereTheDesignSays()
    {
        var bytes = Encode(_heartbeat with { Ready = true, Vouches = [new Vouch(1, 300, Ready: true), new Vouch(2, 300, Ready: false)] }, null);

        Assert.Equal(0x04, bytes[5] & 0x04);
        var section = bytes.AsSpan(bytes.Length - (2 * HeartbeatCodec.VouchSize));
        Assert.Equal(new byte[] { 0x80 | 0x01, 0x2C }, section[8..10].ToArray()); // ready, 300 ms
        Assert.Equal(new byte[] { 0x01, 0x2C }, section[18..20].ToArray());

        // An age past 15 bits is sent as the largest one (such a peer is long dead by any sane timeout).
        var capped = Decode(Encode(_heartbeat with { Vouches = [new Vouch(3, ushort.MaxValue, Ready: false)] }, null), null, out _);
        Assert.Equal(new Vouch(3, Vouch.MaxAgeMilliseconds, Ready: false), Assert.Single(capped!.Vouches));
    }

    [Fact]
    public void Version1_WithoutSections_IsStillRead_ButVersion1WithSectionsIsMalformed()
    {
        var bytes = Encode(_heartbeat, null);
        bytes[4] = 1;
        Assert.Equal(_heartbeat, Decode(bytes, null, out var reason));
        Assert.Null(reason);

        var withSections = Encode(_heartbeat with { Withdrawn = [1] }, null);
        withSections[4] = 1;
        Decode(withSections, null, out var malformed);
        Assert.Equal(DropReason.Malformed, malformed);
    }

    [Fact]
    public void UnknownSection_IsSkipped_AndRaggedOrTruncatedSectionsAreMalformed()
    {
        var plain = Encode(_heartbeat, null);
        byte[] unknown = [.. plain, 9, 0, 3, 1, 2, 3];
        Assert.Equal(_heartbeat, Decode(unknown, null, out var skipped));
        Assert.Null(skipped);

        foreach (var bad in new byte[][] { [.. plain, 2, 0, 7, 1, 2, 3, 4, 5, 6, 7], [.. plain, 1, 0, 20, 1], [.. plain, 2, 0], [.. plain, 2, 0, 0, 2, 0, 0] })
        {
            Decode(bad, null, out var reason);
            Assert.Equal(DropReason.Malformed, reason);
        }
    }

    [Fact]
    public void EveryTamperedByte_FailsTheKey()
    {
        var bytes = Encode(_heartbeat, _key);
        for (var i = 6; i < bytes.Length; i++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            Decode(tampered, _key, out var reason);
            Assert.Equal(DropReason.BadKey, reason);
        }
    }

    [Fact]
    public void WrongKey_MissingMac_OrUnexpectedMac_AreBadKey()
    {
        Decode(Encode(_heartbeat, _key), Encoding.UTF8.GetBytes("another key of enough bytes!"), out var wrongKey);
        Decode(Encode(_heartbeat, null), _key, out var missing);
        Decode(Encode(_heartbeat, _key), null, out var unexpected);

        Assert.Equal(DropReason.BadKey, wrongKey);
        Assert.Equal(DropReason.BadKey, missing);
        Assert.Equal(DropReason.BadKey, unexpected);
    }

    [Fact]
    public void ForeignOrTruncatedDatagrams_AreMalformed()
    {
        var bytes = Encode(_heartbeat, null);
        var foreign = (byte[])bytes.Clone();
        foreign[0] = (byte)'X';
        var invalidUtf8 = (byte[])bytes.Clone();
        invalidUtf8[HeartbeatCodec.HeaderSize + 1] = 0xff;

        Assert.Equal(DropReason.Malformed, Reason([]));
        Assert.Equal(DropReason.Malformed, Reason("hello, world"u8.ToArray()));
        Assert.Equal(DropReason.Malformed, Reason(foreign));
        Assert.Equal(DropReason.Malformed, Reason(invalidUtf8));
        Assert.Equal(DropReason.Malformed, Reason([.. bytes, 0])); // trailing garbage
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(DropReason.Malformed, Reason(bytes[..length]));
        }

        static DropReason? Reason(byte[] datagram)
        {
            Decode(datagram, null, out var reason);
            return reason;
        }
    }

    [Fact]
    public void EmptyName_IsMalformed_AndCannotBeEncoded()
    {
        var bytes = Encode(_heartbeat with { Name = "x" }, null);
        bytes[HeartbeatCodec.HeaderSize] = 0; // name length 0; the 'x' now reads as the digest length
        Decode(bytes, null, out var reason);

        Assert.Equal(DropReason.Malformed, reason);
        Assert.Throws<ArgumentException>(() => Encode(_heartbeat with { Name = "" }, null));
        Assert.Throws<ArgumentException>(() => Encode(_heartbeat with { Name = new string('n', 254) }, null));
    }

    [Fact]
    public void OtherVersion_IsUnsupported()
    {
        var bytes = Encode(_heartbeat, null);
        bytes[4] = HeartbeatCodec.Version + 1;
        Decode(bytes, null, out var reason);
        Assert.Equal(DropReason.UnsupportedVersion, reason);
    }

    private static byte[] Encode(HeartbeatDatagram heartbeat, byte[]? key)
    {
        var buffer = new byte[HeartbeatCodec.MaxSize];
        return buffer[..HeartbeatCodec.Encode(heartbeat, key, buffer)];
    }

    private static HeartbeatDatagram? Decode(byte[] datagram, byte[]? key, out DropReason? reason)
    {
        reason = HeartbeatCodec.TryDecode(datagram, key, out var heartbeat);
        Assert.Equal(reason is null, heartbeat is not null);
        return heartbeat;
    }
}
