"""An independent SimPy model of the benchmark's queue case (issue 13's comparison figure).

    python3 bench/simpy-queue.py SCENARIO.json OUT

One process per locality, created in code-point order of ids: it waits until it is eligible
(max of its tranche's opening month and its ready month), requests one of the centre's
`capacity` slots (a first-in, first-out Resource), negotiates for its fixed `negotiation.months`
and releases the slot. Run to the last deal. Writes one line per locality, "id<TAB>deal", the deal
time as Python's repr (which round-trips), for bench/run-all.ts to check against devosim's.

Works with SimPy 3/4 (`import simpy`) or SimPy 2.x (`SimPy.Simulation`, as Debian packages it).
Only what the queue cases use: no agencies, fixed durations, no failures.
"""
import json
import os
import sys


def main():
    scenario_file, out = sys.argv[1], sys.argv[2]
    with open(scenario_file, "rb") as f:
        doc = json.load(f)
    capacity = int(doc["centre"]["capacity"])
    opens = {t["id"]: float(t["opens"]) for t in doc["tranches"]}
    localities = doc["localities"]
    # Python compares str by code point: the order devosim ranks ids in.
    order = sorted(range(len(localities)), key=lambda i: localities[i]["id"])
    eligible = [max(float(l.get("ready", 0)), opens[l["tranche"]]) for l in localities]
    duration = []
    for l in localities:
        n = l["negotiation"]
        if n.get("fail_probability", 0) != 0 or not isinstance(n["months"], (int, float)):
            sys.exit("simpy-queue: fixed durations and no failures only")
        duration.append(float(n["months"]))
    deal = [float("nan")] * len(localities)

    try:
        import simpy
    except ImportError:
        simpy = None

    if simpy is not None:
        env = simpy.Environment()
        slots = simpy.Resource(env, capacity=capacity)

        def locality(i):
            yield env.timeout(eligible[i])
            with slots.request() as req:
                yield req
                yield env.timeout(duration[i])
                deal[i] = env.now

        for i in order:
            env.process(locality(i))
        env.run()
    else:
        from SimPy.Simulation import Process, Resource, Simulation, hold, release, request

        sim = Simulation()
        sim.initialize()
        slots = Resource(capacity=capacity, sim=sim)

        class Locality(Process):
            def run(self, i):
                yield hold, self, eligible[i]
                yield request, self, slots
                yield hold, self, duration[i]
                deal[i] = sim.now()
                yield release, self, slots

        for i in order:
            p = Locality(sim=sim)
            sim.activate(p, p.run(i))
        sim.simulate(until=float("inf"))

    with open(out, "w") as f:
        f.write("".join("%s\t%r\n" % (l["id"], deal[i]) for i, l in enumerate(localities)))
        f.flush()
        os.fsync(f.fileno())


main()
