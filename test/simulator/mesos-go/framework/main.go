// framework: a small Mesos framework on mesos-go 0.0.6's v0 scheduler driver (Debian
// golang-github-mesos-mesos-go-dev), the independent driver the simulator is tested against
// (test/simulator/mesos-go.interop.spec.ts). It speaks the legacy scheduler messages
// (RegisterFrameworkMessage, LaunchTasksMessage, StatusUpdateAcknowledgementMessage, ...) and
// finds the master with the default standalone detector (GET http://host:port/state).
//
// Build (GOPATH layout, no modules, as ../shared/peers/setup.sh builds its Go peer):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o framework ./test/simulator/mesos-go/framework
//
// Modes (one line per event on stdout, for the test to read):
//
//	framework -master H:P run                     3 tasks, kill one, reconcile, unregister
//	framework -master H:P start                   register (failover_timeout 120 s), run "long", wait
//	framework -master H:P -framework-id ID resume fail over, reconcile "long", kill it, unregister
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"sync"

	"github.com/gogo/protobuf/proto"
	mesos "github.com/mesos/mesos-go/api/v0/mesosproto"
	util "github.com/mesos/mesos-go/api/v0/mesosutil"
	sched "github.com/mesos/mesos-go/api/v0/scheduler"
)

var out sync.Mutex

func say(format string, args ...interface{}) {
	out.Lock()
	defer out.Unlock()
	fmt.Printf(format+"\n", args...)
}

type framework struct {
	mode       string
	mu         sync.Mutex
	launched   bool
	killed     bool
	states     map[string]mesos.TaskState
	reconciled map[string]bool
	finished   bool
}

func (f *framework) Registered(d sched.SchedulerDriver, id *mesos.FrameworkID, m *mesos.MasterInfo) {
	say("REGISTERED %s %s", id.GetValue(), m.GetPid())
	if f.mode == "resume" {
		// A failed-over scheduler learns its tasks' states before doing anything else.
		d.ReconcileTasks([]*mesos.TaskStatus{{
			TaskId: util.NewTaskID("long"),
			State:  mesos.TaskState_TASK_RUNNING.Enum(),
		}})
	}
}

func (f *framework) Reregistered(d sched.SchedulerDriver, m *mesos.MasterInfo) {
	say("REREGISTERED %s", m.GetPid())
}

func (f *framework) Disconnected(sched.SchedulerDriver) { say("DISCONNECTED") }

func task(offer *mesos.Offer, id, command string) *mesos.TaskInfo {
	return &mesos.TaskInfo{
		Name:    proto.String(id),
		TaskId:  util.NewTaskID(id),
		SlaveId: offer.SlaveId,
		Command: &mesos.CommandInfo{Value: proto.String(command)},
		Resources: []*mesos.Resource{
			util.NewScalarResource("cpus", 0.1),
			util.NewScalarResource("mem", 32),
		},
	}
}

func (f *framework) ResourceOffers(d sched.SchedulerDriver, offers []*mesos.Offer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, offer := range offers {
		if f.launched || f.mode == "resume" {
			d.DeclineOffer(offer.Id, &mesos.Filters{RefuseSeconds: proto.Float64(5)})
			continue
		}
		f.launched = true
		var tasks []*mesos.TaskInfo
		if f.mode == "run" {
			tasks = []*mesos.TaskInfo{
				task(offer, "task-1", "echo one"),
				task(offer, "task-2", "echo two"),
				task(offer, "task-3", "sleep 60"),
			}
		} else {
			tasks = []*mesos.TaskInfo{task(offer, "long", "sleep 60")}
		}
		say("LAUNCH %d on %s", len(tasks), offer.GetSlaveId().GetValue())
		d.LaunchTasks([]*mesos.OfferID{offer.Id}, tasks, &mesos.Filters{RefuseSeconds: proto.Float64(1)})
	}
}

func (f *framework) OfferRescinded(_ sched.SchedulerDriver, id *mesos.OfferID) {
	say("RESCINDED %s", id.GetValue())
}

func terminal(s mesos.TaskState) bool {
	switch s {
	case mesos.TaskState_TASK_FINISHED, mesos.TaskState_TASK_FAILED, mesos.TaskState_TASK_KILLED,
		mesos.TaskState_TASK_LOST, mesos.TaskState_TASK_ERROR:
		return true
	}
	return false
}

func (f *framework) StatusUpdate(d sched.SchedulerDriver, s *mesos.TaskStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := s.GetTaskId().GetValue()
	if s.GetReason() == mesos.TaskStatus_REASON_RECONCILIATION {
		say("RECONCILED %s %s", id, s.GetState())
		f.reconciled[id] = true
		if f.mode == "resume" && id == "long" && s.GetState() == mesos.TaskState_TASK_RUNNING && !f.killed {
			f.killed = true
			d.KillTask(util.NewTaskID("long"))
		}
		if f.mode == "run" && len(f.reconciled) == 3 {
			f.finish(d)
		}
		return
	}
	say("UPDATE %s %s", id, s.GetState())
	f.states[id] = s.GetState()
	switch f.mode {
	case "run":
		if id == "task-3" && s.GetState() == mesos.TaskState_TASK_RUNNING && !f.killed {
			f.killed = true
			d.KillTask(util.NewTaskID("task-3"))
		}
		if len(f.states) == 3 && terminal(f.states["task-1"]) && terminal(f.states["task-2"]) && terminal(f.states["task-3"]) {
			var statuses []*mesos.TaskStatus
			for _, t := range []string{"task-1", "task-2", "task-3"} {
				statuses = append(statuses, &mesos.TaskStatus{TaskId: util.NewTaskID(t), State: f.states[t].Enum(), SlaveId: s.SlaveId})
			}
			d.ReconcileTasks(statuses)
		}
	case "start":
		if s.GetState() == mesos.TaskState_TASK_RUNNING {
			say("WAITING")
		}
	case "resume":
		if id == "long" && s.GetState() == mesos.TaskState_TASK_KILLED {
			f.finish(d)
		}
	}
}

func (f *framework) finish(d sched.SchedulerDriver) {
	if f.finished {
		return
	}
	f.finished = true
	say("DONE")
	go d.Stop(false)
}

func (f *framework) FrameworkMessage(sched.SchedulerDriver, *mesos.ExecutorID, *mesos.SlaveID, string) {
}
func (f *framework) SlaveLost(_ sched.SchedulerDriver, id *mesos.SlaveID) {
	say("SLAVE_LOST %s", id.GetValue())
}
func (f *framework) ExecutorLost(sched.SchedulerDriver, *mesos.ExecutorID, *mesos.SlaveID, int) {}
func (f *framework) Error(_ sched.SchedulerDriver, err string)                                  { say("ERROR %s", err) }

func main() {
	master := flag.String("master", "", "master host:port")
	frameworkID := flag.String("framework-id", "", "resume this framework (failover)")
	flag.Parse()
	mode := flag.Arg(0)
	if *master == "" || (mode != "run" && mode != "start" && mode != "resume") {
		fmt.Fprintln(os.Stderr, "usage: framework -master H:P [-framework-id ID] run|start|resume")
		os.Exit(2)
	}
	info := &mesos.FrameworkInfo{
		User:            proto.String("nobody"),
		Name:            proto.String("mesos-go-" + mode),
		FailoverTimeout: proto.Float64(120),
	}
	if *frameworkID != "" {
		info.Id = util.NewFrameworkID(*frameworkID)
	}
	f := &framework{mode: mode, states: map[string]mesos.TaskState{}, reconciled: map[string]bool{}}
	driver, err := sched.NewMesosSchedulerDriver(sched.DriverConfig{
		Scheduler:      f,
		Framework:      info,
		Master:         *master,
		BindingAddress: net.ParseIP("127.0.0.1"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		os.Exit(1)
	}
	status, err := driver.Run()
	say("STOPPED %s", status)
	if err != nil || status != mesos.Status_DRIVER_STOPPED {
		fmt.Fprintln(os.Stderr, "run:", status, err)
		os.Exit(1)
	}
}
