import Testing

import Datasets

/// A clock that tests move by hand.
final class ManualClock {
    var now = 0.0

    func read() -> Double { now }
}

/// Records every piece of text that a progress bar writes.
final class OutputRecorder {
    var pieces: [String] = []

    var text: String { pieces.joined() }

    func write(_ text: String) { pieces.append(text) }
}

// The expected strings match tqdm 4.70.1's `tqdm.format_meter` for the same arguments.
@Suite struct ProgressBarFormatTests {
    @Test func meterWithDescriptionAndPostfix() {
        let meter = ProgressBar.formatMeter(
            count: 843, total: 1875, elapsed: 1.2, description: "epoch 1", postfix: "loss=0.2440")

        #expect(meter == "epoch 1:  45%|████▍     | 843/1875 [00:01<00:01, 702.50it/s, loss=0.2440]")
    }

    @Test func meterAtStart() {
        let meter = ProgressBar.formatMeter(count: 0, total: 1875, elapsed: 0)

        #expect(meter == "  0%|          | 0/1875 [00:00<?, ?it/s]")
    }

    @Test func meterAtEnd() {
        #expect(
            ProgressBar.formatMeter(count: 1875, total: 1875, elapsed: 2.5)
                == "100%|██████████| 1875/1875 [00:02<00:00, 750.00it/s]")
    }

    @Test func meterBelowOneStepPerSecond() {
        let meter = ProgressBar.formatMeter(count: 3, total: 10, elapsed: 7.5)

        #expect(meter == " 30%|███       | 3/10 [00:07<00:17,  2.50s/it]")
    }

    @Test func meterAtOneStepPerSecond() {
        let meter = ProgressBar.formatMeter(count: 1, total: 80, elapsed: 1)

        #expect(meter == "  1%|▏         | 1/80 [00:01<01:19,  1.00it/s]")
    }

    @Test func meterBeyondOneHour() {
        #expect(
            ProgressBar.formatMeter(count: 7, total: 8, elapsed: 3725)
                == " 88%|████████▊ | 7/8 [1:02:05<08:52, 532.14s/it]")
    }

    @Test func meterWithoutTotal() {
        let meter = ProgressBar.formatMeter(count: 843, total: nil, elapsed: 1.2, description: "epoch 1")

        #expect(meter == "epoch 1: 843it [00:01, 702.50it/s]")
    }

    @Test func meterWithEmptyPostfix() {
        let meter = ProgressBar.formatMeter(count: 5, total: 10, elapsed: 0.5, postfix: "")

        #expect(meter == " 50%|█████     | 5/10 [00:00<00:00, 10.00it/s]")
    }

    @Test func barEighths() {
        let expected = [
            "          ", "▏         ", "▎         ", "▍         ", "▌         ", "▋         ",
            "▊         ", "▉         ", "█         ",
        ]
        for (eighths, bar) in expected.enumerated() {
            #expect(ProgressBar.formatBar(fraction: Double(eighths) / 80, width: 10) == bar, "\(eighths)/80")
        }
    }

    @Test func barClampsOverflow() {
        #expect(ProgressBar.formatBar(fraction: 1.5, width: 4) == "████")
        #expect(ProgressBar.formatBar(fraction: -1, width: 4) == "    ")
    }

    @Test func intervals() {
        #expect(ProgressBar.formatInterval(0) == "00:00")
        #expect(ProgressBar.formatInterval(59.99) == "00:59")
        #expect(ProgressBar.formatInterval(600) == "10:00")
        #expect(ProgressBar.formatInterval(3599) == "59:59")
        #expect(ProgressBar.formatInterval(3600) == "1:00:00")
        #expect(ProgressBar.formatInterval(90061) == "25:01:01")
    }

    @Test func rates() {
        #expect(ProgressBar.formatRate(nil) == "?it/s")
        #expect(ProgressBar.formatRate(702.3) == "702.30it/s")
        #expect(ProgressBar.formatRate(0.25) == " 4.00s/it")
        #expect(ProgressBar.formatRate(12_345.678, unit: "img") == "12345.68img/s")
    }
}

@Suite struct ProgressBarOutputTests {
    @Test func terminalRedrawsInPlaceAndThrottles() {
        let clock = ManualClock()
        let output = OutputRecorder()
        let bar = ProgressBar(
            total: 4, description: "epoch 1", isTerminal: true, clock: clock.read, output: output.write)

        #expect(output.pieces == ["\repoch 1:   0%|          | 0/4 [00:00<?, ?it/s]"])

        clock.now = 0.05
        bar.update()
        #expect(output.pieces.count == 1)

        clock.now = 1.0
        bar.postfix = "loss=0.5000"
        bar.update()
        #expect(output.pieces.last == "\repoch 1:  50%|█████     | 2/4 [00:01<00:01,  2.00it/s, loss=0.5000]")

        clock.now = 2.0
        bar.postfix = nil
        bar.update(by: 2)
        // Spaces blank out the end of the longer previous line.
        let finalLine = "\repoch 1: 100%|██████████| 4/4 [00:02<00:00,  2.00it/s]"
        #expect(output.pieces.last == finalLine + String(repeating: " ", count: 13))

        bar.close()
        #expect(output.pieces.suffix(2) == [finalLine, "\n"])

        bar.update()
        bar.close()
        #expect(output.pieces.count == 5)
    }

    @Test func plainOutputWritesLinesEveryTenPercent() {
        let clock = ManualClock()
        let output = OutputRecorder()
        let bar = ProgressBar(total: 20, isTerminal: false, clock: clock.read, output: output.write)

        for _ in 0..<20 {
            clock.now += 0.5
            bar.update()
        }
        bar.close()

        let lines = output.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 11)
        #expect(lines.first == " 10%|█         | 2/20 [00:01<00:09,  2.00it/s]")
        #expect(lines[9] == "100%|██████████| 20/20 [00:10<00:00,  2.00it/s]")
        #expect(lines.last == "")
        #expect(!output.text.contains("\r"))
    }

    @Test func plainOutputWritesLinesByTimeWithoutTotal() {
        let clock = ManualClock()
        let output = OutputRecorder()
        let bar = ProgressBar(
            total: nil, description: "eval", lineInterval: 10, isTerminal: false, clock: clock.read,
            output: output.write)

        for _ in 0..<7 {
            clock.now += 4
            bar.update(by: 100)
        }
        bar.close()

        #expect(
            output.pieces == [
                "eval: 300it [00:12, 25.00it/s]\n",
                "eval: 600it [00:24, 25.00it/s]\n",
                "eval: 700it [00:28, 25.00it/s]\n",
            ])
    }

    @Test func plainOutputCloseWritesUnfinishedState() {
        let clock = ManualClock()
        let output = OutputRecorder()
        let bar = ProgressBar(total: 100, isTerminal: false, clock: clock.read, output: output.write)

        clock.now = 1
        bar.update(by: 5)
        bar.close()

        #expect(output.pieces == ["  5%|▌         | 5/100 [00:01<00:19,  5.00it/s]\n"])
    }
}
